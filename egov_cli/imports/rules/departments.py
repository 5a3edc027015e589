"""Rules on departments: a department given by code or by name, and new ones.

A known code, or a known department's code or name (case, spacing and umlaut spelling aside);
else a new department, with the text as its code where it reads as one (one word, as
``Standesamt`` or ``Straßenverkehrsamt``, or two short ones, as ``Amt 32``), else as its name
with a generated short code (named in the warnings). New departments
that may be the same as another are named as a warning, never merged. A file with only
department names (no code column) is read the same way.
"""

from __future__ import annotations

import re

from rapidfuzz import fuzz

from egov_cli.i18n import _
from egov_cli.imports.rules.shared import PlannerState
from egov_cli.values.fold import fold

#: Longest text of two words read as a department code (longer text is a name); one word is
#: its own code up to the longest code a department may have.
CODE_LENGTH = 16
CODE_WORDS = 2
MAX_CODE_LENGTH = 32
#: Longest generated department code (initials of the name's words).
MAX_GENERATED_CODE = 8
#: Similarity (0-100) from which two departments' texts are named as possibly the same.
NEAR_DUPLICATE_SCORE = 90


class DepartmentRules(PlannerState):
    """Departments by code or name; new ones, their codes, and near duplicates."""

    def _department(self, code: str) -> str:
        """The code of the department ``code`` names: a known code, or a known department's
        code or name (case, spacing and umlaut spelling aside); else a new department, with
        ``code`` as its code where it reads as one, else as its name with a generated code."""
        cat = self.cat
        folded = fold(code)
        known: str | None
        if code in cat.dept_by_code:
            known = code
        else:
            known = cat.dept_folded.get(folded) or self._new_dept_folded.get(folded)
        if known is None:
            if _looks_like_code(code):
                self.new_departments[code] = code
                known = code
            else:
                known = self._generated_code(code)
                self.new_departments[known] = code
                self.warnings.append(
                    _(
                        "new department {name!r} gets the code {code!r} (it reads as a name, not "
                        "a code); change it with 'egov departments' if another code is meant."
                    ).format(name=code, code=known)
                )
            self._new_dept_folded[folded] = known
        return known

    def _generated_code(self, name: str) -> str:
        """A short code for a new department given by its name: the initials of its words
        (``Amt für Wirtschaft`` -> ``AFW``), numbered where taken."""
        words = re.findall(r"[^\W_]+", name)
        stem = "".join(w if w.isdigit() else w[0] for w in words).upper()[:MAX_GENERATED_CODE]
        stem = stem or "AMT"
        taken = self.cat.dept_by_code.keys() | self.new_departments.keys()
        code, number = stem, 1
        while code in taken:
            number += 1
            code = f"{stem}-{number}"
        return code

    def _near_duplicate_departments(self) -> None:
        """New departments whose text begins with, or is very like, another department's
        (``HWK`` / ``HWK/ 7 HWKn in NRW``): named as a warning, never merged."""
        new = {fold(name): name for name in self.new_departments.values()}
        if not new:
            return
        texts = dict(new)
        for code in self.cat.dept_by_code:
            texts.setdefault(fold(code), code)
        named: set[frozenset[str]] = set()
        for folded, name in new.items():
            for other_folded, other in texts.items():
                pair = frozenset((folded, other_folded))
                if other_folded == folded or len(other_folded) < 2 or pair in named:
                    continue
                if folded.startswith(other_folded) or (
                    fuzz.ratio(folded, other_folded) >= NEAR_DUPLICATE_SCORE
                ):
                    named.add(pair)
                    self.warnings.append(
                        _(
                            "departments {first!r} and {second!r} may be the same; egov keeps "
                            "them apart. Correct the file, or rename one with 'egov departments'."
                        ).format(first=other, second=name)
                    )


def _looks_like_code(text: str) -> bool:
    """Whether a department's text reads as a code (``32``, ``FB3``, ``Amt 32``,
    ``Straßenverkehrsamt``), not a name (``Amt für Wirtschaft``): one word (its initials
    would say nothing), or two within CODE_LENGTH."""
    words = len(text.split())
    if words == 1:
        return len(text) <= MAX_CODE_LENGTH
    return len(text) <= CODE_LENGTH and words <= CODE_WORDS
