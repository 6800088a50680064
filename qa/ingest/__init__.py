"""Stage 1: read documents and cut them into structure-aware chunks with spans."""
