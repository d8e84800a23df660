"""Question banks: the quiz and situation sets kept as text files in ``question_banks/``.

``loader`` parses and validates them (standard library only), ``writer`` serialises
them, ``importers`` converts GIFT, Aiken and Excel files, ``commands`` holds the
``flask banks`` CLI group. Import ``commands`` explicitly: it needs Flask.
"""
from contest_app.question_banks.loader import (
    BankError,
    Banks,
    BanksInvalid,
    QuizQuestion,
    QuizSet,
    Situation,
    SituationSet,
    check_banks,
    load_banks,
)

__all__ = [
    "BankError", "Banks", "BanksInvalid", "QuizQuestion", "QuizSet", "Situation",
    "SituationSet", "check_banks", "load_banks",
]
