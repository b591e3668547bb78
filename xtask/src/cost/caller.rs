//! Which process opened a loopback connection: under `cargo lambda watch` each function
//! runs as its own process named after its binary, so the meter attributes every AWS call
//! to its function without any change to the functions (Linux `/proc`).

use std::net::SocketAddr;

/// The name (`/proc/<pid>/comm`) of the process owning the client end `peer` of a TCP
/// connection to this machine, with its subcommand for our own tools (`xtask
/// event-source`); `None` when it cannot be found (not Linux, or gone).
pub fn process_of(peer: SocketAddr) -> Option<String> {
    let inode = socket_inode(peer)?;
    let needle = format!("socket:[{inode}]");
    for entry in std::fs::read_dir("/proc").ok()?.flatten() {
        let name = entry.file_name();
        if !name.to_string_lossy().bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        let Ok(fds) = std::fs::read_dir(entry.path().join("fd")) else {
            continue;
        };
        let owns = fds
            .flatten()
            .any(|fd| std::fs::read_link(fd.path()).is_ok_and(|l| l.to_string_lossy() == needle));
        if owns {
            let comm = std::fs::read_to_string(entry.path().join("comm")).ok()?;
            let comm = comm.trim().to_owned();
            if comm != "xtask" {
                return Some(comm);
            }
            let cmdline = std::fs::read(entry.path().join("cmdline")).unwrap_or_default();
            let command = cmdline
                .split(|b| *b == 0)
                .nth(1)
                .map(|arg| String::from_utf8_lossy(arg).into_owned())
                .unwrap_or_default();
            return Some(format!("xtask {command}").trim().to_owned());
        }
    }
    None
}

/// The inode of the socket whose local address is `peer` (`/proc/net/tcp`, or `tcp6`).
fn socket_inode(peer: SocketAddr) -> Option<String> {
    let port = format!(":{:04X}", peer.port());
    ["/proc/net/tcp", "/proc/net/tcp6"].iter().find_map(|file| {
        let table = std::fs::read_to_string(file).ok()?;
        table.lines().skip(1).find_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let local = fields.get(1)?;
            (local.ends_with(&port) && fields.get(9).is_some_and(|i| *i != "0"))
                .then(|| fields[9].to_owned())
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_process_of_a_loopback_connection() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let client = std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (_server, peer) = listener.accept().unwrap();
        assert_eq!(peer, client.local_addr().unwrap());
        let me = std::fs::read_to_string("/proc/self/comm").unwrap();
        assert_eq!(process_of(peer).as_deref(), Some(me.trim()));
    }
}
