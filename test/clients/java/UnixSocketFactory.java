import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

import javax.net.SocketFactory;

/**
 * Test plumbing, not part of the README: pgjdbc speaks TCP only, and the
 * throwaway test cluster listens on a unix socket only (test/lib/cluster.sh).
 * pgjdbc's socketFactory property takes this class, socketFactoryArg the
 * socket's path; the sockets are connected when created (Java 16+ has unix
 * domain SocketChannels), so pgjdbc skips connect().
 */
public class UnixSocketFactory extends SocketFactory {
    private final Path path;

    public UnixSocketFactory(String path) {
        this.path = Path.of(path);
    }

    @Override
    public Socket createSocket() throws IOException {
        return new UnixSocket(SocketChannel.open(UnixDomainSocketAddress.of(path)));
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return createSocket();
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress local, int localPort) throws IOException {
        return createSocket();
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return createSocket();
    }

    @Override
    public Socket createSocket(InetAddress host, int port, InetAddress local, int localPort) throws IOException {
        return createSocket();
    }

    /** A Socket over a connected unix domain channel; TCP options are no-ops. */
    private static final class UnixSocket extends Socket {
        private final SocketChannel channel;
        private int timeout;

        UnixSocket(SocketChannel channel) {
            this.channel = channel;
        }

        @Override
        public void connect(SocketAddress endpoint, int timeout) {
        }

        @Override
        public boolean isConnected() {
            return true;
        }

        @Override
        public boolean isClosed() {
            return !channel.isOpen();
        }

        @Override
        public InputStream getInputStream() {
            return Channels.newInputStream(channel);
        }

        @Override
        public OutputStream getOutputStream() {
            return Channels.newOutputStream(channel);
        }

        @Override
        public void setTcpNoDelay(boolean on) {
        }

        @Override
        public void setKeepAlive(boolean on) {
        }

        @Override
        public void setSoTimeout(int timeout) {
            this.timeout = timeout;     // recorded only: the channel blocks
        }

        @Override
        public int getSoTimeout() {
            return timeout;
        }

        @Override
        public synchronized void close() throws IOException {
            channel.close();
        }
    }
}
