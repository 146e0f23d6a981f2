mod pools;
