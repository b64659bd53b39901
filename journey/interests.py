"""The optional interests quiz (RIASEC): six everyday questions, one per letter, from /explore
or /settings; the letters the person likes are stored on them (`User.interests`) and the
ranking lifts the careers whose main letter is one of them (`scoring.ranking`).

The quiz in progress lives in `User.step` ("quiz:" and one character per answer so far), so
any process takes the next press, a restart loses nothing, and a press on an old question (a
double tap, a stale message) or forged data is told apart from the expected answer and
answered without changing anything.
"""

from __future__ import annotations

from journey import onboarding
from journey.actions import EXPLORE, QUIZ_ANSWER
from journey.buttons import label
from journey.profile_view import summary
from kernel.turn import Turn
from messages import Action, Button, Outcome, Reply, render

# The order of the questions: Holland's hexagon.
LETTERS = "RIASEC"
STEP_PREFIX = "quiz:"
YES, SOME, NO, SKIP, STOP = "2", "1", "0", "s", "x"
ANSWERS = (YES, SOME, NO, SKIP)


def in_quiz(turn: Turn) -> bool:
    """Whether the person is answering the quiz (their next text is not a search)."""
    return (turn.user.step or "").startswith(STEP_PREFIX)


def _progress(turn: Turn) -> str:
    return (turn.user.step or "")[len(STEP_PREFIX) :]


def leave_quiz(turn: Turn) -> None:
    """A command abandons a quiz half answered: the next text is read as a search again, and
    the stored interests stay as they were."""
    if in_quiz(turn):
        turn.user.step = None


def letters_from(answers: str) -> str:
    """The person's interests from their answers: the letters answered "yes"; when none, those
    answered "a little"; "" when none at all (the quiz was taken and nothing stood out)."""
    liked = [LETTERS[i] for i, a in enumerate(answers) if a == YES]
    if not liked:
        liked = [LETTERS[i] for i, a in enumerate(answers) if a == SOME]
    return "".join(liked)


def _question(turn: Turn, number: int, *, edit: bool) -> Reply:
    lang = turn.lang
    index = str(number)
    rows = (
        tuple(
            Button(label(f"interests.answer_{answer}", lang), Action(QUIZ_ANSWER, (index, answer)))
            for answer in (YES, SOME, NO)
        ),
        (
            Button(label("interests.skip_button", lang), Action(QUIZ_ANSWER, (index, SKIP))),
            Button(label("interests.stop_button", lang), Action(QUIZ_ANSWER, (index, STOP))),
        ),
    )
    text = render(
        "interests.question", lang, letter=LETTERS[number], number=number + 1, total=len(LETTERS)
    )
    return Reply(text, "interests.question", buttons=rows, edit=edit)


async def start(turn: Turn) -> Outcome:
    """The quiz's first question, as a new message (the list or settings it came from stay);
    while onboarding is unfinished, its question first (the quiz would take its place)."""
    pending = onboarding.pending_question(turn)
    if pending is not None:
        first = Reply(render("onboarding.finish_first", turn.lang), "onboarding.finish_first")
        return Outcome().add(first).add(pending)
    turn.user.step = STEP_PREFIX
    return Outcome().add(_question(turn, 0, edit=False))


async def answer(turn: Turn, number: str, value: str) -> Outcome:
    """A tap on an answer: the next question in place, or the result after the sixth."""
    lang = turn.lang
    if not in_quiz(turn):
        return Outcome(notice=render("interests.not_running", lang))
    progress = _progress(turn)
    expected = str(len(progress))
    if number != expected or value not in (*ANSWERS, STOP):
        # An earlier question pressed again, or data no button of ours carries.
        return Outcome(notice=render("interests.answer_the_last", lang))
    if value == STOP:
        turn.user.step = None
        text = render("interests.stopped", lang, taken=turn.user.interests is not None)
        return Outcome().add(
            Reply(text, "interests.stopped", buttons=_explore_row(lang), edit=True)
        )
    progress += value
    if len(progress) < len(LETTERS):
        turn.user.step = STEP_PREFIX + progress
        return Outcome().add(_question(turn, len(progress), edit=True))
    turn.user.step = None
    letters = letters_from(progress)
    turn.user.interests = letters
    text = render(
        "interests.result",
        lang,
        domains=[render("interests.domain", lang, letter=letter) for letter in letters],
    )
    return Outcome().add(Reply(text, "interests.result", buttons=_explore_row(lang), edit=True))


async def remind(turn: Turn) -> Outcome:
    """Free text while a question waits: say how to answer, and ask the question again."""
    reminder = Reply(render("interests.use_buttons", turn.lang), "interests.use_buttons")
    return Outcome().add(reminder).add(_question(turn, len(_progress(turn)), edit=False))


async def clear(turn: Turn) -> Outcome:
    """/settings' "forget my interests": the ranking no longer uses them."""
    leave_quiz(turn)
    if turn.user.interests is None:
        return Outcome(notice=render("interests.nothing_to_clear", turn.lang))
    turn.user.interests = None
    cleared = Reply(render("interests.cleared", turn.lang), "interests.cleared")
    return Outcome().add(cleared).add(summary(turn))


def _explore_row(lang: str) -> tuple[tuple[Button, ...], ...]:
    # The list takes the place of the quiz's last message ("e"): it may be the very page shown
    # just before the quiz, which a new message would take for a double tap.
    return ((Button(label("interests.explore_button", lang), Action(EXPLORE, ("e",))),),)
