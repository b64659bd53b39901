"""Small talk: greetings, thanks, goodbyes and "how does this work?" get a short friendly answer
with the main buttons, instead of being searched as a job ("nothing found for « bonjour »").

A message is small talk when all of its words are small-talk phrases (and a few fillers such as
"toi", "beaucoup", the bot's name): "bonjour", "merci beaucoup !", "salut ça va ?", "comment ça
marche ?". Anything else, "bonjour je cherche boulanger" included, is left to the search.
"""

from __future__ import annotations

from journey import actions
from kernel.turn import Turn
from messages import Action, Button, Outcome, Reply, layout, render, render_label
from scoring.text import normalise

GREETING = "greeting"
THANKS = "thanks"
BYE = "bye"
HOW = "how"
AGREE = "agree"

# Normalised phrases (accents, case and punctuation ignored), longest first when matching.
_PHRASES: dict[str, tuple[str, ...]] = {
    GREETING: (
        "bonjour", "bonsoir", "salut", "coucou", "hello", "hi", "hey", "yo", "slt", "bjr",
        "cc", "re", "rebonjour", "re bonjour", "wesh", "hola", "good morning", "good evening",
        "ca va", "comment ca va", "comment vas tu", "comment allez vous", "tu vas bien",
        "vous allez bien", "how are you", "how are you doing",
    ),
    THANKS: (
        "merci", "mercii", "merci beaucoup", "merci bien", "mrc", "thanks", "thank you",
        "thx", "ty", "cool merci", "super merci", "top merci",
    ),
    BYE: (
        "au revoir", "bye", "bye bye", "a plus", "a plus tard", "a bientot", "bonne journee",
        "bonne soiree", "bonne nuit", "ciao", "tchao", "see you", "goodbye", "good bye",
    ),
    HOW: (
        "comment ca marche", "ca marche comment", "comment ca fonctionne", "comment faire",
        "tu fais quoi", "vous faites quoi", "tu sers a quoi", "ca sert a quoi",
        "c est quoi", "c est quoi ce bot", "qui es tu", "qui etes vous", "t es qui",
        "que faire", "je fais quoi", "on fait quoi", "aide moi", "aidez moi", "je suis perdu",
        "je suis perdue", "je comprends pas", "je ne comprends pas", "j ai pas compris",
        "how does it work", "how does this work", "what can you do", "what do you do",
        "who are you", "what is this", "help", "help me", "i m lost", "i don t understand",
    ),
    AGREE: (
        "ok", "okay", "okk", "d accord", "dac", "ouais", "oui", "non", "yes", "no", "yep",
        "nope", "cool", "super", "top", "parfait", "genial", "nickel", "great", "nice",
        "ah", "ah ok", "oh", "mdr", "lol", "haha", "ahah",
    ),
}  # fmt: skip
# Words that may come along without changing what the message is.
_FILLERS = frozenset((
    "toi", "vous", "a", "tous", "tout", "le", "monde", "beaucoup", "bien", "encore", "tres",
    "bot", "tremplin", "the", "there", "again", "and", "et", "alors", "donc", "euh", "hmm",
    "svp", "stp", "please",
))  # fmt: skip
# When a message mixes kinds, the answer follows the most useful one.
_PRIORITY = (HOW, THANKS, BYE, GREETING, AGREE)
_MAX_WORDS = 8


def _index() -> list[tuple[tuple[str, ...], str]]:
    pairs = [(tuple(p.split()), kind) for kind, phrases in _PHRASES.items() for p in phrases]
    return sorted(pairs, key=lambda pair: -len(pair[0]))


_INDEX = _index()


def recognise(text: str) -> str | None:
    """The kind of small talk a message is (GREETING, THANKS, BYE, HOW, AGREE), or None."""
    words = normalise(text).split()
    if not words or len(words) > _MAX_WORDS:
        return None
    kinds: set[str] = set()
    position = 0
    while position < len(words):
        for phrase, kind in _INDEX:
            if tuple(words[position : position + len(phrase)]) == phrase:
                kinds.add(kind)
                position += len(phrase)
                break
        else:
            if words[position] not in _FILLERS:
                return None
            position += 1
    return next((kind for kind in _PRIORITY if kind in kinds), None)


def main_buttons(lang: str) -> tuple[tuple[Button, ...], ...]:
    """What one can do here: discover careers, see the saved ones, talk to a coach."""
    return layout.arrange(
        [
            Button(render_label("small_talk.explore_button", lang), Action(actions.EXPLORE)),
            Button(render_label("small_talk.saved_button", lang), Action(actions.SAVED_LIST)),
            coach_button(lang),
        ]
    )


def coach_button(lang: str) -> Button:
    """The "talk to a coach" button: the way to a person."""
    return Button(render_label("small_talk.coach_button", lang), Action(actions.COACH))


def answer(turn: Turn, kind: str) -> Outcome:
    """A short friendly answer to small talk, with the main buttons."""
    key = f"small_talk.{kind}"
    text = render(key, turn.lang, first_name=turn.user.first_name)
    return Outcome().add(Reply(text, key, buttons=main_buttons(turn.lang)))


def during_question(turn: Turn, kind: str) -> Reply:
    """Small talk while a question is open: a word back, before the question is asked again."""
    text = render("small_talk.while_asking", turn.lang, kind=kind, first_name=turn.user.first_name)
    return Reply(text, "small_talk.while_asking")
