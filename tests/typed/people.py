"""A user's script: add teachers, upload a file, print login links (``make types``, --strict).

It is never run by the tests (it would need a server); it is type-checked, so the
README's people examples keep passing ``mypy --strict``.
"""

from __future__ import annotations

from pathlib import Path

import eeo_async as eeo


async def term_start(
    sid: int, secret: str, *, course: int, lesson: int, handout: Path, students: list[int]
) -> dict[int, str]:
    """Add the term's teachers, upload its handout, and give each student a link."""
    async with eeo.Client(sid, secret) as client:
        teachers = [eeo.SchoolMember("15800000001", "王老师"), eeo.SchoolMember(15800000002, "Li")]
        report = await eeo.Batcher(client, concurrency=8).add_teachers(teachers)
        for account, item in report.items.items():
            shown: str = account
            print(shown, item.outcome, item.meaning)
        one: eeo.TeacherAdded = await client.add_teacher("t@example.cn", "Ms Zhao")
        relation: int | None = one.relation_id
        print(relation, one.already)

        top: int = await client.get_top_folder_id()
        folder: eeo.FolderResult = await client.create_folder(top, "2025 秋")
        slow = client.with_options(timeout=600)  # one attempt's timeout covers the upload
        uploaded: eeo.UploadedFile = await slow.upload_file(folder.folder_id, handout)
        listing: eeo.CloudListing = await client.get_cloud_list(folder.folder_id)
        names: list[str] = [f.name for f in listing.files if f.file_id == uploaded.file_id]
        print(names)

        label: eeo.SchoolLabel = await client.add_school_label("数学")
        print(label.label_id, label.already)
        setting = eeo.ClassVideoSetting(class_id=lesson, record=True, live=True, replay=True)
        videos: list[eeo.ClassVideoStatus] = await client.set_class_video_multiple(
            course, [setting]
        )
        print(videos[0].live_url)

        links: dict[int, str] = {}
        for uid in students:
            links[uid] = await client.get_login_linked(uid, course, lesson, device_type="ios")
        pc: str = await client.get_login_linked(students[0], course, lesson)
        print(pc)
        registered: eeo.Registration = await client.register(
            telephone="15800000003", md5pass="0" * 32, add_to_school_member="teacher"
        )
        print(registered.uid, registered.side)
        return links
