"""The final: draw, judges' access and marks, quiz answers, results and the live board's state."""
