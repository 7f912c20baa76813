"""Colour constants, in one place: luma coefficients, the H.273 tag of BT.709 and the SD/HD rule, and
the sRGB transfer and D65 white used for CIE Lab. Plain numbers (no numpy, no torch), so every layer
can read them. Each cites its standard.
"""
from __future__ import annotations

# Luma coefficients (R, G, B).
BT709_LUMA = (0.2126, 0.7152, 0.0722)  # ITU-R BT.709-6, item 3.2 (HD; also sRGB)
KR, KB = BT709_LUMA[0], BT709_LUMA[2]
KG = 1.0 - KR - KB

BT709_H273 = 1  # ITU-T H.273 code point 1: BT.709 primaries, transfer and matrix (AVCOL_*_BT709)
BT601_H273 = 6  # ITU-T H.273 MatrixCoefficients 6: BT.601 525-line (SMPTE 170M), what untagged SD video is
# (Kr, Kb) of the Y'CbCr matrices by ITU-T H.273 MatrixCoefficients code point (its Table 4): BT.709,
# FCC, BT.470 B/G and SMPTE 170M (both BT.601), SMPTE 240M, BT.2020 non-constant luminance.
MATRIX_KR_KB = {1: (0.2126, 0.0722), 4: (0.30, 0.11), 5: (0.299, 0.114), 6: (0.299, 0.114),
                7: (0.212, 0.087), 9: (0.2627, 0.0593)}
HD_LINES = 720  # untagged video this tall or taller is BT.709, shorter BT.601 (FFmpeg players, browsers)

# sRGB transfer function (IEC 61966-2-1): linear below the knee, a 2.4 power above it.
SRGB_KNEE_ENCODED = 0.04045
SRGB_KNEE_LINEAR = 0.0031308
SRGB_LINEAR_SLOPE = 12.92
SRGB_GAMMA = 2.4
SRGB_OFFSET = 0.055
# Linear sRGB -> CIE XYZ, D65 (IEC 61966-2-1), and the D65 white point (CIE 15:2004).
SRGB_TO_XYZ = ((0.4124564, 0.3575761, 0.1804375),
               (0.2126729, 0.7151522, 0.0721750),
               (0.0193339, 0.1191920, 0.9503041))
D65_WHITE = (0.95047, 1.0, 1.08883)
