"""Transition only: the helpers moved to tests/support; import them from there."""

from support.calc_package import FILES
from support.gitrepo import copy_repo, edit, git, init_repo, state, write

__all__ = ["FILES", "copy_repo", "edit", "git", "init_repo", "state", "write"]
