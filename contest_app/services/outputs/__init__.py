"""What the contest hands over afterwards: history across editions and the follow-up of winners."""
