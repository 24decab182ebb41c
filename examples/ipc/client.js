// my-service from Node.js: the socket comes from TROUPE_IPC_SOCKET (or the app name).
const path = require('node:path');
const { Client } = require(path.join(__dirname, '..', '..', 'clients', 'node'));

async function main() {
  const client = await Client.connect({ app: 'my-app', format: 'msgpack' });
  try {
    await client.request('my-service', 'SetValue', { key: 'js', value: 9 });
    console.log('GetValue(js) =', await client.request('my-service', 'GetValue', { key: 'js' }));
    const { actors } = await client.discover();
    console.log('actors:', actors.map((a) => `${a.name} [${a.messageTypes.join(', ')}]`).join('; '));
  } finally {
    await client.close();
  }
}

main().catch((err) => {
  console.error(err.code, err.message);
  process.exit(1);
});
