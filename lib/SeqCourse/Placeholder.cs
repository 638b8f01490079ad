namespace SeqCourse;
