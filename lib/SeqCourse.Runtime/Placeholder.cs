namespace SeqCourse.Runtime;
