"""The README's "Example", verbatim: ``make types`` checks it with mypy --strict (never run)."""

import asyncio
import eeo_async as eeo

async def main() -> None:
    async with eeo.Client(sid=1234567, secret="...") as client:   # base_url="https://api.eeo.cn"
        statuses = await client.add_course_class_student(
            course_id=176465, student_uid=1001001, class_ids=[1212131, 1212123])
        print([s.errno for s in statuses])          # e.g. [1, 166]: added, already there

        await client.del_class_student_multiple(course_id=176465, class_id=1212131,
                                                student_uids=[1001001, 1001002])
        created = await client.add_course_group(
            course_id=176465, group_name="Teams",
            groups=[[eeo.GroupMember(1001001, is_leader=True), eeo.GroupMember(1001002)]])
        print(created.group_id, created.partial)

asyncio.run(main())
