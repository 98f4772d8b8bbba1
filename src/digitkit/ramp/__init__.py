"""RAMP: kits in RAMP's layout, and submissions run through the real ``rampwf`` workflow."""
