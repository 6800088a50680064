"""Stage 2: tokens, BM25, embeddings and the persisted index."""
