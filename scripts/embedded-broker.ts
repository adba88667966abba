import { createServer, type Server } from 'node:net';
import { Aedes } from 'aedes';

/**
 * An in-process MQTT broker (aedes) for the embedded default, so `npm start`
 * needs no external broker. Production uses a real one (Mosquitto, EMQX...).
 */
export class EmbeddedBroker {
  private server: Server | undefined;
  private broker: Aedes | undefined;
  port = 0;

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  async start(port = 0): Promise<void> {
    const broker = await Aedes.createBroker();
    this.broker = broker;
    const server = createServer(broker.handle);
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    this.port = typeof address === 'object' && address ? address.port : port;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.broker?.close(() => resolve()) ?? resolve());
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}
