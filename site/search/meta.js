hindsightSearch.meta({"chunks":[["0","🟢"]],"doc_chunk":50,"docs":5});
