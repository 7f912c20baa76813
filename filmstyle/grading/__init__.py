"""Looks as colour and tone, around or instead of the network: LUTs learned from a still or distilled
from a look (:mod:`~filmstyle.grading.fit`), streaming video grading and the colour hooks of
``render`` (:mod:`~filmstyle.grading.grade`), and the tone anchor (:mod:`~filmstyle.grading.tone`).
The LUT itself, its files and the classical colour transfers are in :mod:`filmstyle.lut`.
"""
