"""Grading a class: batches, safe unpacking of students' archives, gradebooks and exports."""
