// A password for `steward users passwd`: from standard input with --password-stdin (the first line),
// else prompted twice on the terminal without echo.
import readline from 'node:readline';

async function stdinLine(): Promise<string> {
  let text = '';
  for await (const chunk of process.stdin) text += chunk;
  return text.split(/\r?\n/)[0] ?? '';
}

function prompt(question: string): Promise<string> {
  return new Promise((resolve) => {
    const rl = readline.createInterface({ input: process.stdin, output: process.stderr, terminal: true });
    const out = rl as unknown as { _writeToOutput: (s: string) => void };
    rl.question(question, (answer) => {
      rl.close();
      process.stderr.write('\n');
      resolve(answer);
    });
    out._writeToOutput = () => undefined; // no echo of what is typed
  });
}

export async function readPassword(fromStdin: boolean): Promise<string> {
  if (fromStdin) return stdinLine();
  if (!process.stdin.isTTY) throw new Error('no terminal to prompt on: pass --password-stdin');
  const first = await prompt('New password: ');
  if ((await prompt('Again: ')) !== first) throw new Error('the two passwords differ');
  return first;
}
