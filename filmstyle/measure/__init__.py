"""Measurement, shared by render, eval and the benchmarks: speed, stability (e_stab), style and
content distances, what a viewer sees, contact sheets."""
