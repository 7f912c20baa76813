"""3D LUTs (:mod:`~filmstyle.lut.lut3d`: the table, its lookups and files) and classical colour
transfers (:mod:`~filmstyle.lut.transfer`)."""
