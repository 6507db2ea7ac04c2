/** An MCP client connected in memory to sfs's server over `context` (what `sfs mcp serve` runs over stdio). */
import {Client} from '@modelcontextprotocol/sdk/client/index.js';
import {InMemoryTransport} from '@modelcontextprotocol/sdk/inMemory.js';
import {createMcpServer} from '../../source/mcp/server.js';
import type {ToolContext} from '../../source/mcp/session-tools.js';

export async function connectedClient(context: ToolContext): Promise<Client> {
	const server = createMcpServer(context, 'test');
	const client = new Client({name: 'sfs-test', version: '1.0.0'});
	const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
	await Promise.all([client.connect(clientSide), server.connect(serverSide)]);
	return client;
}
