"""Mutation score per module from `mutmut results --all true` (run by `make mutation`).

killed and timeout count as caught; survived and "no tests" as missed; the score is caught over
caught and missed. Mutants listed as equivalent in docs/mutation.md are reported apart, as they
cannot be caught, and so are those a narrowed or stopped run did not check.
"""

import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

EQUIVALENT = Path(__file__).resolve().parents[1] / "docs" / "mutation.md"
CAUGHT = {"killed", "timeout"}


def main(results: str) -> None:
    equivalent = set(re.findall(r"`([\w.ǁ]+__mutmut_\d+)`", EQUIVALENT.read_text(encoding="utf-8")))
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for line in Path(results).read_text(encoding="utf-8").splitlines():
        name, _, status = line.strip().rpartition(": ")
        if "__mutmut_" not in name:
            continue
        module = re.split(r"\.x[_ǁ]", name, maxsplit=1)[0]
        counts[module]["equivalent" if name in equivalent else status] += 1
    for module, count in sorted(counts.items()):
        caught = sum(count[s] for s in CAUGHT)
        total = sum(count.values()) - count["equivalent"] - count["not checked"]
        detail = ", ".join(f"{n} {s}" for s, n in sorted(count.items()))
        print(f"{module}: {caught}/{total} = {100 * caught / max(total, 1):.1f}%  ({detail})")


if __name__ == "__main__":
    main(sys.argv[1])
