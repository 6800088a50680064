"""Stage 3: understand the question, retrieve, choose and check quotes, present."""
