"""Buttons laid out by label length, labels shortened at word boundaries (issue 9, item 9)."""

from __future__ import annotations

from messages.layout import ROW_WIDTH, arrange, fits, reflow, shorten, width
from messages.outgoing import Action, Button


def _b(text: str) -> Button:
    return Button(text, Action("x"))


def test_long_labels_are_cut_between_words_never_inside_one() -> None:
    for title, shown in [
        (
            "1. Installation et maintenance en froid, conditionnement d'air",
            "1. Installation et maintenance…",
        ),
        ("1. Administration de systèmes d'information", "1. Administration de systèmes…"),
        (
            "Gestion des opérations de circulation internationale des marchandises",
            "Gestion des opérations de circulation…",
        ),
    ]:
        assert shorten(title) == shown
        assert width(shorten(title)) <= ROW_WIDTH


def test_a_shortened_label_never_ends_on_a_dangling_little_word() -> None:
    for title in [
        "Conduite d'équipement de fabrication de l'ameublement et du bois",
        "Intervention technique d'exploitation des transports routiers de marchandises",
        "Réalisation d'objets décoratifs et utilitaires en céramique et matériaux de synthèse",
    ]:
        label = shorten(title)
        assert label.endswith("…")
        last = label[:-1].split()[-1]
        assert last not in {"de", "d'", "et", "des", "du", "en", "la", "le", "les"}, label
        assert not last.endswith("'") and not last.endswith(","), label
        assert title.startswith(label[:-1]), label  # whole words, none cut


def test_labels_that_fit_are_left_alone() -> None:
    assert shorten("⭐ Enregistrer") == "⭐ Enregistrer"
    assert shorten("🔎 Formations près de chez moi (CPF)") == "🔎 Formations près de chez moi (CPF)"


def test_emoji_count_double_as_they_show_wider() -> None:
    assert width("⭐ Save") == 7
    assert width("Save") == 4


def test_short_labels_are_paired_and_long_ones_stand_alone() -> None:
    rows = arrange(
        [
            _b("⭐ Enregistrer"),
            _b("🎓 Formations"),
            _b("↔ Métiers proches"),
            _b("💬 Parler à un conseiller"),
            _b("⬅ Retour"),
        ]
    )
    assert [[b.text for b in row] for row in rows] == [
        ["⭐ Enregistrer", "🎓 Formations"],
        ["↔ Métiers proches"],
        ["💬 Parler à un conseiller"],
        ["⬅ Retour"],
    ]


def test_three_long_labels_in_one_row_are_split_and_each_row_fits() -> None:
    row = (_b("🌙 Ce soir"), _b("📅 Ce week-end"), _b("🗓 La semaine prochaine"))
    assert not fits(row)
    rows = reflow([row])
    assert [[b.text for b in r] for r in rows] == [
        ["🌙 Ce soir", "📅 Ce week-end"],
        ["🗓 La semaine prochaine"],
    ]
    assert all(fits(r) for r in rows)


def test_a_row_that_fits_is_kept_together_and_tiny_ones_may_hold_five() -> None:
    scores = tuple(_b(str(n)) for n in range(1, 6))
    assert reflow([scores]) == (scores,)
    pair = (_b("1. Boulanger"), _b("🗑 Retirer le 1"))
    assert reflow([pair]) == (pair,)


def test_a_too_long_label_is_shortened_when_laid_out() -> None:
    (row,) = reflow([(_b("Retirer mon accord pour Transitions Pro Auvergne-Rhône-Alpes"),)])
    assert row[0].text == "Retirer mon accord pour Transitions Pro…"
    assert row[0].action == Action("x")


def test_a_programme_name_fits_whole_on_its_choice_button() -> None:
    assert shorten("👉 Transitions Pro Auvergne-Rhône-Alpes") == (
        "👉 Transitions Pro Auvergne-Rhône-Alpes"
    )
