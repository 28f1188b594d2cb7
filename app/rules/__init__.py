"""Pure rules of the data, shared by the schema.org parser (`app.claimreview`), the use cases
(`app.domain`) and the web app: how an address is keyed (`urls`), a verdict folded
(`verdicts`), a field checked and written (`fields`). They read no database and no network;
`tests/test_layers.py` keeps it so."""
