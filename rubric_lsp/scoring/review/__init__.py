"""People in the loop: borderline results queued, labelled, measured against the critic."""
