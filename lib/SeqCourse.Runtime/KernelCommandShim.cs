// TEMPORARY: stands in for SeqCourse.Runtime.Kernel.KernelCommand until branch `runtime` commits the kernel.
// DELETE THIS FILE when merging the kernel (it defines the same type).
namespace SeqCourse.Runtime.Kernel
{
    public static class KernelCommand
    {
        public static int Run(string[] args)
        {
            Console.Error.WriteLine("course kernel: the kernel is not merged into this branch yet");
            return 1;
        }
    }
}
