Console.WriteLine("course: skeleton");
