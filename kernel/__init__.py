"""What the journey and coaching both stand on: the turn and its environment, the reactions the
composition root wires, evaluation events, and partner programmes as the journey sees them."""
