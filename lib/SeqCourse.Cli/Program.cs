// TEMPORARY dispatch until the runner branch's Program.cs is merged: only `course kernel …` is wired here.
if (args.Length > 0 && args[0] == "kernel")
{
    return SeqCourse.Runtime.Kernel.KernelCommand.Run(args[1..]);
}

Console.WriteLine("course: skeleton");
return 0;
