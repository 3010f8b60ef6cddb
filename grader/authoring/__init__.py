"""Tools for course authors: the course's self-test, recorded mistakes, and the student kit."""
