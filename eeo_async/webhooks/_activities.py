"""Messages about a course's LMS activities (the docs' page "coursedata").

Homework submitted and graded, test and answer-sheet scores, and discussion changes,
pushed as they happen. An activity outside any unit still carries a unit ID.
"""

from __future__ import annotations

from typing import ClassVar

import attrs

from ._fields import Event, nested, to_bool, to_float, to_id, to_int, to_str, tuple_of, wire


@attrs.frozen(kw_only=True)
class Person:
    """A student or teacher as LMS messages describe one (``StudentInfo``, ``TeacherInfo``).

    Attributes:
        uid: the UID (0, read None, when a test was graded automatically).
        name: the name shown in the client's homework module.
        account: the telephone, or the e-mail when there is none.
    """

    uid: int | None = wire("StudentUid", "TeacherUid", convert=to_id)
    name: str | None = wire("StudentName", "TeacherName", convert=to_str)
    account: str | None = wire("StudentAccount", "TeacherAccount", convert=to_str)


@attrs.frozen(kw_only=True)
class HomeworkFile:
    """A file attached to submitted homework (the table's ``Src``, the example's ``src``)."""

    src: str | None = wire("Src", "src", convert=to_str)
    file_name: str | None = wire("FileName", "fileName", convert=to_str)
    file_extension: str | None = wire("FileExtension", "fileExtension", convert=to_str)


@attrs.frozen(kw_only=True)
class Review:
    """A homework's detailed grading.

    Attributes:
        correct: answers right.
        wrong: answers wrong.
        trophy: trophies given.
        excellent: marked excellent.
        comment: the teacher's comment (HTML).
    """

    correct: int | None = wire("Correct")
    wrong: int | None = wire("Wrong")
    trophy: int | None = wire("Trophy")
    excellent: bool | None = wire("Excellent", convert=to_bool)
    comment: str | None = wire("Comment", convert=to_str)


@attrs.frozen(kw_only=True)
class SubTopic:
    """A sub-question's result (0 to grade, 1 right, 2 wrong, 3 half right, 4 unanswered)."""

    sub_topic_id: int | None = wire("SubTopicId")
    sub_topic_type: str | None = wire("SubTopicType", convert=to_str)
    sub_topic_result: tuple[int, ...] = wire("SubTopicResult", convert=tuple_of(to_int), default=())
    sub_topic_score: float | None = wire("SubTopicScore", convert=to_float)
    sub_topic_max_score: float | None = wire("SubTopicMaxScore", convert=to_float)


@attrs.frozen(kw_only=True)
class Topic:
    """A question's result.

    Attributes:
        topic_id: its number (1 the first question).
        topic_type: "1" single choice, "2" multiple choice, "3" true/false, "4" fill in,
            "5" open answer, "6" composite; empty for the official question bank.
        topic_result: 0 to grade, 1 right, 2 wrong, 3 half right, 4 unanswered; a list
            in the examples (one per blank), a single value in the table.
        topic_score: the points scored.
        topic_max_score: the points possible.
        sub_topic_details: its sub-questions, if any.
    """

    topic_id: int | None = wire("TopicId")
    topic_type: str | None = wire("TopicType", convert=to_str)
    topic_result: tuple[int, ...] = wire("TopicResult", convert=tuple_of(to_int), default=())
    topic_score: float | None = wire("TopicScore", convert=to_float)
    topic_max_score: float | None = wire("TopicMaxScore", convert=to_float)
    sub_topic_details: tuple[SubTopic, ...] = wire(
        "SubTopicDetails", convert=tuple_of(nested(SubTopic)), default=()
    )


@attrs.frozen(kw_only=True)
class ActivityEvent(Event):
    """A push about an LMS activity of a course (``course_id`` is the course).

    Attributes:
        course_name: the course's name.
        unit_id: the activity's unit.
        unit_name: the unit's name.
        activity_id: the activity.
        activity_name: its title.
    """

    course_name: str | None = wire("CourseName", convert=to_str)
    unit_id: int | None = wire(("Data", "UnitId"), convert=to_id)
    unit_name: str | None = wire(("Data", "UnitName"), convert=to_str)
    activity_id: int | None = wire(("Data", "ActivityId"), convert=to_id)
    activity_name: str | None = wire(("Data", "ActivityName"), convert=to_str)


def _data_or_top(name: str) -> tuple[tuple[str, ...], str]:
    # The table lists some homework fields beside Data, the example inside it.
    return (("Data", name), name)


@attrs.frozen(kw_only=True)
class HomeworkSubmit(ActivityEvent):
    """Cmd ``HomeworkSubmit``: a student submitted homework.

    Attributes:
        student_total: students the homework was given to.
        submit_total: students who have submitted.
        submission_time: when this one was submitted.
        is_submit_late: submitted after the deadline.
        is_revision: a corrected version.
        content: the text (HTML).
        files: the attachments.
        student: who submitted.
        teacher: the activity's teacher.
    """

    CMD: ClassVar[str | int | None] = "HomeworkSubmit"

    student_total: int | None = wire(*_data_or_top("StudentTotal"))
    submit_total: int | None = wire(*_data_or_top("SubmitTotal"))
    submission_time: int | None = wire(*_data_or_top("SubmissionTime"))
    is_submit_late: bool | None = wire(*_data_or_top("IsSubmitLate"), convert=to_bool)
    is_revision: bool | None = wire(*_data_or_top("IsRevision"), convert=to_bool)
    content: str | None = wire(*_data_or_top("Content"), convert=to_str)
    files: tuple[HomeworkFile, ...] = wire(
        *_data_or_top("Files"), convert=tuple_of(nested(HomeworkFile)), default=()
    )
    student: Person | None = wire(*_data_or_top("StudentInfo"), convert=nested(Person))  # noqa: RUF009 - an attrs field
    teacher: Person | None = wire(*_data_or_top("TeacherInfo"), convert=nested(Person))  # noqa: RUF009 - an attrs field


@attrs.frozen(kw_only=True)
class HomeworkScore(ActivityEvent):
    """Cmd ``HomeworkScore``: a homework's grade was given or changed (usually after review).

    Attributes:
        score: the full marks.
        student_score: the student's mark, as the grading plan shows it (text).
        state: 40 graded, 50 returned.
        grading_plan: how marks are shown (e.g. 分数制, points).
        review: the detailed grading.
        student: whose homework.
        teacher: who graded it.
        submission_time: when it was submitted.
        correction_time: when it was graded.
        student_scoring_rate: the student's mark over full marks (0.8).
    """

    CMD: ClassVar[str | int | None] = "HomeworkScore"

    score: float | None = wire(("Data", "Score"), convert=to_float)
    student_score: str | None = wire(("Data", "StudentScore"), convert=to_str)
    state: int | None = wire(("Data", "State"))
    grading_plan: str | None = wire(("Data", "GradingPlan"), convert=to_str)
    review: Review | None = wire(("Data", "ReviewDetails"), convert=nested(Review))  # noqa: RUF009 - an attrs field
    student: Person | None = wire(("Data", "StudentInfo"), convert=nested(Person))  # noqa: RUF009 - an attrs field
    teacher: Person | None = wire(("Data", "TeacherInfo"), convert=nested(Person))  # noqa: RUF009 - an attrs field
    submission_time: int | None = wire(("Data", "SubmissionTime"))
    correction_time: int | None = wire(("Data", "CorrectionTime"))
    student_scoring_rate: float | None = wire(("Data", "StudentScoringRate"), convert=to_float)


@attrs.frozen(kw_only=True)
class ScoreEvent(ActivityEvent):
    """A graded test or answer sheet (pushed when fully graded, and again when it changes).

    ``class_id`` is the lesson the test was created in (``Data.ClassId``), or None.

    Attributes:
        score: the full marks (``Score``).
        maximum_score: ``MaximumScore``, sent by answer sheets in the docs' example.
        answer_duration: seconds the student took.
        submission_time: when it was submitted.
        correction_time: when it was graded (0 or None: automatically, at once).
        student_scoring_rate: the student's mark over full marks (0.8).
        topics: each question's result.
        student: whose test.
        teacher: who graded it (uid None when graded automatically).
    """

    score: float | None = wire(("Data", "Score"), convert=to_float)
    maximum_score: float | None = wire(("Data", "MaximumScore"), convert=to_float)
    answer_duration: int | None = wire(("Data", "AnswerDuration"))
    submission_time: int | None = wire(("Data", "SubmissionTime"))
    correction_time: int | None = wire(("Data", "CorrectionTime"))
    student_scoring_rate: float | None = wire(("Data", "StudentScoringRate"), convert=to_float)
    topics: tuple[Topic, ...] = wire(
        ("Data", "TopicDetails"), convert=tuple_of(nested(Topic)), default=()
    )
    student: Person | None = wire(("Data", "StudentInfo"), convert=nested(Person))  # noqa: RUF009 - an attrs field
    teacher: Person | None = wire(("Data", "TeacherInfo"), convert=nested(Person))  # noqa: RUF009 - an attrs field


@attrs.frozen(kw_only=True)
class ExamScore(ScoreEvent):
    """Cmd ``ExamScore``: a test's result (graded automatically or by the teacher)."""

    CMD: ClassVar[str | int | None] = "ExamScore"


@attrs.frozen(kw_only=True)
class AnswerSheetScore(ScoreEvent):
    """Cmd ``AnswerSheetScore``: an answer sheet's result (teacher fields reserved, empty)."""

    CMD: ClassVar[str | int | None] = "AnswerSheetScore"


@attrs.frozen(kw_only=True)
class DiscussionChange(ActivityEvent):
    """Cmd ``DiscussionChangeInfo``: a comment, reply or like in a discussion activity.

    Attachments are not pushed; they show as an "[附件]" placeholder in the text.

    Attributes:
        op_type: 1 added, 2 deleted, 3 edited.
        teacher_uid: the activity's teacher (``teacher_name``, ``teacher_account``).
        comment_type: 1 comment, 2 reply, 3 like (``CommentDetail.Type``).
        comment_id: the message acted on.
        comment_content: its text (comments and replies added or edited).
        parent_id: the message replied to (replies only).
        like_count: the message's likes (likes only).
        top_reply_count: replies to the top-level comment (replies only).
        creator_uid: who wrote the message (``creator_name``, ``creator_account``).
        creator_role: 1 teacher, 2 student.
    """

    CMD: ClassVar[str | int | None] = "DiscussionChangeInfo"

    op_type: int | None = wire("OpType")
    teacher_uid: int | None = wire(("Data", "TeacherUid"), convert=to_id)
    teacher_name: str | None = wire(("Data", "TeacherName"), convert=to_str)
    teacher_account: str | None = wire(("Data", "TeacherAccount"), convert=to_str)
    comment_type: int | None = wire(("Data", "CommentDetail", "Type"))
    comment_id: int | None = wire(("Data", "CommentDetail", "CommentId"), convert=to_id)
    comment_content: str | None = wire(("Data", "CommentDetail", "CommentContent"), convert=to_str)
    parent_id: int | None = wire(("Data", "CommentDetail", "ParentId"), convert=to_id)
    like_count: int | None = wire(("Data", "CommentDetail", "LikeCount"))
    top_reply_count: int | None = wire(("Data", "CommentDetail", "TopReplyCount"))
    creator_uid: int | None = wire(("Data", "CreatorUid"), convert=to_id)
    creator_name: str | None = wire(("Data", "CreatorName"), convert=to_str)
    creator_account: str | None = wire(("Data", "CreatorAccount"), convert=to_str)
    creator_role: int | None = wire(("Data", "CreatorRole"))
