"""Feedback store: drawings, their digit crops, predictions and corrected labels (SQLAlchemy)."""

from digitkit.store.db import FeedbackStore
from digitkit.store.tables import Digit, Sample

__all__ = ["Digit", "FeedbackStore", "Sample"]
