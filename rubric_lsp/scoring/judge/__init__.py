"""The model judge: its prompt, the reply's schema and checks, and the endpoint's client."""
