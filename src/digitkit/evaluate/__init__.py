"""Evaluation: metrics, the robustness suite report, plots."""
