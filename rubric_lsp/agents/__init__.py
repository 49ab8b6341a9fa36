"""Coding agents as users: the rubric as a prompt, an MCP server, and the revision loop."""
