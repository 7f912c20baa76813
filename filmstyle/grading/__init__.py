"""Film looks as colour: colour transfer, 3D LUTs (fit, export, import) and a fast grading path.

Modules: :mod:`~filmstyle.lut.lut3d` (the LUT, its trilinear lookup and its files),
:mod:`~filmstyle.lut.transfer` (classical colour transfers), :mod:`~filmstyle.grading.fit`
(LUTs learned from a still or distilled from a look), :mod:`~filmstyle.grading.grade` (streaming
video grading) and :mod:`~filmstyle._cli.grading` (the ``lut`` and ``grade`` commands). Importing this
package is cheap; the submodules load numpy, torch and colour-science when used.
"""
