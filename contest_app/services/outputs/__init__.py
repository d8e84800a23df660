"""What the contest hands over afterwards: history across editions, follow-up, consistency checks."""
