"""The final: draw, judges' access and marks, quiz answers, results, their lock and the live board."""
