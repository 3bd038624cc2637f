hindsightSearch.meta({"chunks":[["0","zero"]],"doc_chunk":50,"docs":5});
