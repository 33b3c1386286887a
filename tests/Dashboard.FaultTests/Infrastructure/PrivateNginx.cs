using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Dashboard.FaultTests.Infrastructure;

/// <summary>
/// nginx (from apt) as the load balancer in front of several app instances, as operations would run it:
/// sticky sessions (a cookie of the balancer's own, hashed onto the instances), WebSockets proxied, the
/// X-Forwarded-* headers set. A private process with its own configuration in a temporary folder on a free
/// port; it never touches a system nginx. Each response names the instance that served it
/// (<see cref="UpstreamHeader"/>), so that a test can tell where a page lives.
/// </summary>
public sealed class PrivateNginx : IAsyncDisposable
{
    public const string UpstreamHeader = "X-Dashboard-Upstream";

    private readonly Process _process;
    private readonly string _folder;

    private PrivateNginx(Process process, string folder, int port)
    {
        _process = process;
        _folder = folder;
        BaseAddress = new Uri(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}"));
    }

    public Uri BaseAddress { get; }

    /// <summary>The nginx binary, or null when it is not installed (scripts/setup.sh --tests installs it).</summary>
    public static string? Binary => Binaries.FirstOrDefault(File.Exists);

    private static readonly string[] Binaries = ["/usr/sbin/nginx", "/usr/bin/nginx"];

    public static async Task<PrivateNginx> StartAsync(IEnumerable<Uri> instances)
    {
        var binary = Binary ?? throw new InvalidOperationException("nginx is not installed: run scripts/setup.sh --tests.");
        var folder = Directory.CreateTempSubdirectory("dashboard-nginx-").FullName;
        // nginx's workers run as an unprivileged user and keep request bodies in temp folders under it.
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        }

        var port = Processes.FreePort();
        await File.WriteAllTextAsync(Path.Combine(folder, "nginx.conf"), Configuration(folder, port, instances));
        var info = new ProcessStartInfo(binary)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var a in new[] { "-p", folder, "-c", Path.Combine(folder, "nginx.conf"), "-e", Path.Combine(folder, "error.log"), "-g", "daemon off;" })
        {
            info.ArgumentList.Add(a);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("nginx did not start.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var nginx = new PrivateNginx(process, folder, port);
        try
        {
            await Processes.WaitForPortAsync(port, TimeSpan.FromSeconds(10));
        }
        catch
        {
            var log = nginx.ErrorLog;
            await nginx.DisposeAsync();
            throw new InvalidOperationException($"nginx did not listen on {port}: {log}");
        }

        return nginx;
    }

    /// <summary>nginx's error log (connections refused by a dead instance, and the like).</summary>
    public string ErrorLog
    {
        get
        {
            var path = Path.Combine(_folder, "error.log");
            return File.Exists(path) ? File.ReadAllText(path) : "";
        }
    }

    internal static string Configuration(string folder, int port, IEnumerable<Uri> instances)
    {
        var servers = new StringBuilder();
        foreach (var instance in instances)
        {
            // One failed connection takes the instance out of rotation for a while: a dead instance costs a
            // page one refused connect, not a timeout.
            servers.Append(CultureInfo.InvariantCulture, $"        server {instance.Host}:{instance.Port} max_fails=1 fail_timeout=30s;\n");
        }

        return string.Create(CultureInfo.InvariantCulture, $$"""
            worker_processes 1;
            pid {{folder}}/nginx.pid;
            events { worker_connections 1024; }
            http {
                access_log off;
                client_body_temp_path {{folder}}/client_body;
                proxy_temp_path {{folder}}/proxy;
                fastcgi_temp_path {{folder}}/fastcgi;
                uwsgi_temp_path {{folder}}/uwsgi;
                scgi_temp_path {{folder}}/scgi;
                client_max_body_size 16m;

                # Sticky sessions: a browser keeps the instance its first request was hashed onto (Blazor Server
                # holds the page's state there). Requests without the cookie (device platforms) spread out.
                map $cookie_dashboard_lb $dashboard_lb_key {
                    ""      $request_id;
                    default $cookie_dashboard_lb;
                }
                map $cookie_dashboard_lb $dashboard_lb_set_cookie {
                    ""      "dashboard_lb=$request_id; Path=/; HttpOnly; SameSite=Lax";
                    default "";
                }
                map $http_upgrade $connection_upgrade {
                    default upgrade;
                    ""      "";
                }

                upstream dashboard {
                    hash $dashboard_lb_key consistent;
            {{servers}}        keepalive 16;
                }

                server {
                    listen 127.0.0.1:{{port}};

                    location / {
                        proxy_pass http://dashboard;
                        proxy_http_version 1.1;
                        proxy_set_header Upgrade $http_upgrade;
                        proxy_set_header Connection $connection_upgrade;
                        proxy_set_header Host $http_host;
                        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
                        proxy_set_header X-Forwarded-Proto $scheme;
                        proxy_set_header X-Forwarded-Host $http_host;
                        proxy_connect_timeout 2s;
                        proxy_read_timeout 1h;
                        proxy_send_timeout 1h;
                        proxy_buffering off;
                        # A refused connect or a dead instance's reset goes to the next instance; a request that
                        # reached an instance is never sent twice (ingestion is idempotent, but that is the client's call).
                        proxy_next_upstream error timeout;
                        add_header Set-Cookie $dashboard_lb_set_cookie always;
                        add_header {{UpstreamHeader}} $upstream_addr always;
                    }
                }
            }
            """);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A worker may still be letting go of its temp folders; the temp folder is cleaned eventually.
        }
        catch (UnauthorizedAccessException)
        {
            // Temp folders created by workers under another user.
        }
    }
}
