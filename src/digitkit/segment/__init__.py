"""Canvas -> one crop per digit, left to right, and the test for 'not a digit'. No torch (serving uses it)."""

from digitkit.segment.digits import Segment, find_digits
from digitkit.segment.reject import Verdict, judge

__all__ = ["Segment", "Verdict", "find_digits", "judge"]
