// Echo handler for mono-fastcgi-server4 (an ASP.NET IHttpHandler, mapped to
// every path by the web.config the start script writes): prints every
// FastCGI param and the body in the reference responder's line format.
// ASP.NET exposes no list of all params, so they are read from the FastCGI
// worker request's responder by reflection.
using System;
using System.Collections.Generic;
using System.IO;
using System.Reflection;
using System.Text;
using System.Web;

public class FcgispecEcho : IHttpHandler {
  public bool IsReusable {
    get { return true; }
  }

  static string Escape(string s) {
    var sb = new StringBuilder();
    // The server decoded the param bytes with Encoding.Default; encoding
    // them back gives the bytes it kept.
    foreach (byte c in Encoding.Default.GetBytes(s)) {
      if (c < 0x21 || c > 0x7e || c == '%' || c == '=')
        sb.AppendFormat("%{0:X2}", c);
      else
        sb.Append((char)c);
    }
    return sb.ToString();
  }

  static IDictionary<string, string> Params(HttpContext ctx) {
    var wr = ((IServiceProvider)ctx).GetService(typeof(HttpWorkerRequest));
    var field = wr.GetType().GetField(
        "responder", BindingFlags.NonPublic | BindingFlags.Instance);
    if (field == null)
      throw new InvalidOperationException(
          "the worker request has no responder field");
    var responder = field.GetValue(wr);
    return (IDictionary<string, string>)responder.GetType()
        .GetMethod("GetParameters")
        .Invoke(responder, null);
  }

  public void ProcessRequest(HttpContext ctx) {
    var body = new MemoryStream();
    ctx.Request.InputStream.CopyTo(body);
    var pairs = Params(ctx);
    var names = new List<string>(pairs.Keys);
    names.Sort(StringComparer.Ordinal);
    var text = new StringBuilder();
    text.Append("role RESPONDER\n");
    text.AppendFormat("params {0}\n", names.Count);
    foreach (var name in names)
      text.AppendFormat("param {0}={1}\n", Escape(name), Escape(pairs[name]));
    text.AppendFormat("stdin {0}\n", body.Length);
    ctx.Response.ContentType = "text/plain";
    var head = Encoding.ASCII.GetBytes(text.ToString());
    var tail = Encoding.ASCII.GetBytes("\nend\n");
    ctx.Response.OutputStream.Write(head, 0, head.Length);
    // Mono's response stream refuses a write of an empty array.
    if (body.Length > 0)
      ctx.Response.OutputStream.Write(body.ToArray(), 0, (int)body.Length);
    ctx.Response.OutputStream.Write(tail, 0, tail.Length);
  }
}
