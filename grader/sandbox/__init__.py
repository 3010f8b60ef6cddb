"""The isolation side: everything that starts, confines and talks to the workers that run
student code. Nothing here imports the grading side (:mod:`pttutor.grader.grading`).

- :mod:`.wire`: the message format between grader and worker (JSON and raw buffers, no pickle);
- :mod:`.process`: starting workers through the fork server, their pipes, output and exit;
- :mod:`.forkserver`: the fork server process;
- :mod:`.confine`: what a worker does to itself before it reads student code;
- :mod:`.workerloop`: the worker's request loop;
- :mod:`.loading`: the fallbacks when a file's top-level code cannot run;
- :mod:`.session`: one submission's worker, from the grader's side, with deadlines;
- :mod:`.proxy`: the grader's stand-ins for objects that live in the worker;
- :mod:`.errors`: what can go wrong, in the student's terms.
"""
