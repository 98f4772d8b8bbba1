"""The competition submission: build the zip archive, and check it the way the organizers will."""
