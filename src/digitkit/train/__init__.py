"""Training: recipes, the loop, checkpoints and curves (torch lives here, in models/ and in export/)."""
