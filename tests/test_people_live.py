"""Recording, live and replay settings, recorded videos, player pages and login links."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

import eeo_async as eeo
from eeo_async.testing import MockRequest, MockTransport, Sandbox, Videos


def client_for(sb: Sandbox, **kwargs: Any) -> eeo.Client:
    kwargs.setdefault("initial_backoff", 0)
    kwargs.setdefault("max_backoff", 0)
    return eeo.Client(sb.sid, sb.secret, base_url=sb.base_url, **kwargs)


def setting(class_id: int, **values: Any) -> eeo.ClassVideoSetting:
    values = {"record": True, "live": False, "replay": True, **values}
    return eeo.ClassVideoSetting(class_id=class_id, **values)


async def test_video_settings_answer_per_lesson_in_input_order(eeo_sandbox: Sandbox) -> None:
    """Each lesson's status is at its position, with its player links; 252 and 142 fail it."""
    sb = eeo_sandbox
    course = sb.add_course(lessons=3)
    other = sb.add_course(lessons=1)
    a, b, soon = course.class_ids
    sb.state(Videos).starting_soon.add(soon)
    settings = [
        setting(a, live=True, custom_column="甲"),
        setting(soon),
        setting(other.class_ids[0]),
        setting(b, record=False, replay=False),
    ]
    async with client_for(sb) as client:
        statuses = await client.set_class_video_multiple(course.course_id, settings)
    assert [s.errno for s in statuses] == [1, 252, 142, 1]
    first = statuses[0]
    assert first.custom_column == "甲"
    assert first.live_url is not None
    assert first.live_url.startswith("https://www.eeo.cn/live.php?lessonKey=")
    assert first.rtmp is not None
    assert first.rtmp.startswith("rtmp://")
    assert statuses[3].live_url is None  # nothing recorded: no player
    assert sb.state(Videos).settings[a]["live"] == 1
    assert sb.state(Videos).settings[b] == {"record": 0, "live": 0, "replay": 0, "recordScene": 0}


def test_live_or_replay_without_recording_is_refused_when_made() -> None:
    """Live, replay or the scene need recording on: refused before anything is sent (251)."""
    for values in ({"live": True}, {"replay": True}, {"record_scene": True}):
        with pytest.raises(eeo.InputError, match="need record=True"):
            setting(1, **{"record": False, "live": False, "replay": False, **values})
    with pytest.raises(eeo.InputError, match="True or False"):
        setting(1, live="yes")


async def test_video_service_problem_is_retried_by_the_batcher() -> None:
    """253 for one lesson ("retry later") is sent again for that lesson alone."""
    answers = iter([253, 1])
    sent: list[list[str]] = []

    def handle(request: MockRequest) -> Any:
        entries = request.json_field("classJson")
        sent.append([e["classId"] for e in entries])
        data = [{"errno": 1, "error": "ok"} for _ in entries]
        if len(entries) == 3:
            data[1] = {"errno": next(answers), "error": "视频服务有问题，请稍后重试"}  # noqa: RUF001
        else:
            data = [{"errno": next(answers), "error": "ok"}]
        return {"error_info": {"errno": 1, "error": "ok"}, "data": data}

    async with eeo.Client(1, "s", transport=MockTransport(handle), initial_backoff=0) as client:
        report = await eeo.Batcher(client).set_class_videos(9, [setting(i) for i in (1, 2, 3)])
    assert report.ok
    assert sent == [["1", "2", "3"], ["2"]]
    assert report.items[2].attempts == 2


async def test_recorded_videos_are_deleted_once(eeo_sandbox: Sandbox) -> None:
    """A segment deleted twice answers 634, all of them 632: already, never a failure."""
    sb = eeo_sandbox
    course = sb.add_course(lessons=2)
    done, running = course.class_ids
    sb.finish_lesson(done)
    sb.state(Videos).record(done, ["123", "124"])
    async with client_for(sb) as client:
        one = await client.delete_class_video(done, file_id=123)
        again = await client.delete_class_video(done, file_id="123")
        rest = await client.delete_class_video(done)
        all_again = await client.delete_class_video(done)
        with pytest.raises(eeo.ApiError) as unfinished:
            await client.delete_class_video(running)
    assert (one.errno, one.already) == (1, False)
    assert (again.errno, again.ok, again.already) == (634, True, True)
    assert (rest.errno, all_again.errno, all_again.already) == (1, 632, True)
    assert unfinished.value.errno == 384
    assert sb.state(Videos).segments[done] == {"123": True, "124": True}


async def test_locked_recordings_cannot_be_deleted(eeo_sandbox: Sandbox) -> None:
    """updateClassLockStatus locks a finished lesson's videos (633 on delete), or refuses (391)."""
    sb = eeo_sandbox
    course = sb.add_course(lessons=2)
    done, running = course.class_ids
    sb.finish_lesson(done)
    sb.state(Videos).record(done, ["1"])
    async with client_for(sb) as client:
        assert (await client.update_class_lock_status(done, is_lock=True)).ok
        with pytest.raises(eeo.ApiError) as locked:
            await client.delete_class_video(done)
        assert (await client.update_class_lock_status(done, False)).ok
        assert (await client.delete_class_video(done)).ok
        with pytest.raises(eeo.ApiError) as unfinished:
            await client.update_class_lock_status(running, True)
    assert (locked.value.errno, unfinished.value.errno) == (633, 391)
    assert locked.value.error == "删除失败视频文件被保护锁定"


async def test_webcast_urls_of_a_course_and_a_lesson(eeo_sandbox: Sandbox) -> None:
    """getWebcastUrl returns the player page, with the lesson's ID when one is named."""
    sb = eeo_sandbox
    course = sb.add_course(lessons=1)
    async with client_for(sb) as client:
        whole = await client.get_webcast_url(course.course_id)
        lesson = await client.get_webcast_url(course.course_id, class_id=course.class_ids[0])
        with pytest.raises(eeo.NotFoundError):
            await client.get_webcast_url(course.course_id + 5)
    assert whole.startswith("https://www.eeo.cn/webcast.php?courseKey=")
    assert lesson == f"{whole}&lessonid={course.class_ids[0]}"


async def test_login_links_per_device_for_members_only(eeo_sandbox: Sandbox) -> None:
    """A member gets the link of its device; others 150, email accounts 467."""
    sb = eeo_sandbox
    async with client_for(sb) as client:
        phone = await client.register(
            telephone="15800000001", md5pass="a" * 32, add_to_school_member=1
        )
        mail = await client.register(email="s@example.cn", md5pass="a" * 32, add_to_school_member=1)
        (stranger,) = sb.add_students(1)
        course = sb.add_course(lessons=1)
        class_id = course.class_ids[0]
        assert phone.uid is not None
        assert mail.uid is not None
        sb.add_course_members(course.course_id, [phone.uid, mail.uid])
        pc = await client.get_login_linked(phone.uid, course.course_id, class_id)
        ios = await client.get_login_linked(
            phone.uid, course.course_id, class_id, device_type="ios"
        )
        android = await client.get_login_linked(
            phone.uid, course.course_id, class_id, device_type=3
        )
        with pytest.raises(eeo.ApiError) as outsider:
            await client.get_login_linked(stranger, course.course_id, class_id)
        with pytest.raises(eeo.ApiError) as email_only:
            await client.get_login_linked(mail.uid, course.course_id, class_id)
    assert pc.startswith("classin://www.eeo.cn/enterclass?")
    assert android.startswith("classin://www.eeo.cn/enterclass?")
    assert ios.startswith("https://www.eeo.cn/client/mobile/ios/enterclass/?")
    query = parse_qs(urlsplit(pc).query)
    assert query == {
        "telephone": ["15800000001"],
        "classId": [str(class_id)],
        "courseId": [str(course.course_id)],
        "schoolId": [str(sb.sid)],
    }
    assert (outsider.value.errno, email_only.value.errno) == (150, 467)


async def test_login_link_sends_the_documented_defaults() -> None:
    """deviceType 1 and lifeTime 86400 are sent unless given; a bad device is refused."""
    seen: list[dict[str, str]] = []

    def handle(request: MockRequest) -> Any:
        seen.append(request.fields)
        return {"error_info": {"errno": 1, "error": "ok"}, "data": "classin://x"}

    async with eeo.Client(1, "s", transport=MockTransport(handle)) as client:
        assert await client.get_login_linked(1, 2, 3) == "classin://x"
        await client.get_login_linked(1, 2, 3, device_type="android", life_time=600)
        with pytest.raises(eeo.InputError, match="'ios'"):
            await client.get_login_linked(1, 2, 3, device_type=4)  # type: ignore[arg-type]
    assert seen == [
        {"uid": "1", "courseId": "2", "classId": "3", "deviceType": "1", "lifeTime": "86400"},
        {"uid": "1", "courseId": "2", "classId": "3", "deviceType": "3", "lifeTime": "600"},
    ]
