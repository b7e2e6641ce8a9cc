// `webhook-guard completion bash|zsh|fish`: shell completion for the commands, their flags and their values.
import { ExitCode, failureText, UsageError } from '../errors.js';
import { TRANSFORM_NAMES } from '../pipeline/registry.js';
import { FLAGS } from './flags.js';
import type { IO } from './io.js';

const SHELLS = ['bash', 'zsh', 'fish'] as const;

// VALUES are the fixed values a flag takes, completed after it.
const VALUES: Record<string, string[]> = {
  disable: [...TRANSFORM_NAMES],
  report: ['text', 'json'],
  emit: ['manifests', 'patches', 'flux'],
  'fail-open': ['mutating', 'validating'],
  format: ['text', 'compact', 'json', 'sarif', 'junit', 'mermaid', 'dot'],
  'fail-on': ['error', 'warning', 'info', 'none'],
  operation: ['CREATE', 'UPDATE', 'DELETE'],
};

const flagsOf = (command: keyof typeof FLAGS): string[] =>
  [...FLAGS[command].string, ...FLAGS[command].boolean].map((f) => `--${f}`);

function bash(): string {
  const cases = Object.entries(VALUES)
    .map(([flag, values]) => `    --${flag}) COMPREPLY=($(compgen -W "${values.join(' ')}" -- "$cur")); return ;;`)
    .join('\n');
  return `# webhook-guard completion for bash: source <(webhook-guard completion bash)
_webhook_guard() {
  local cur prev cmd
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  cmd="\${COMP_WORDS[1]}"
  case "$prev" in
${cases}
    --config|-c|--report-file|--restore|--for) COMPREPLY=($(compgen -f -- "$cur")); return ;;
  esac
  case "$cmd" in
    check) COMPREPLY=($(compgen -W "${flagsOf('check').join(' ')}" -- "$cur")) ;;
    unblock) COMPREPLY=($(compgen -W "${flagsOf('unblock').join(' ')}" -- "$cur")) ;;
    completion) COMPREPLY=($(compgen -W "${SHELLS.join(' ')}" -- "$cur")) ;;
    *) COMPREPLY=($(compgen -W "check unblock completion ${flagsOf('harden').join(' ')}" -- "$cur")) ;;
  esac
  [[ "$cmd" == check || "$cmd" == unblock ]] && [[ "$cur" != -* ]] && COMPREPLY+=($(compgen -f -- "$cur"))
}
complete -F _webhook_guard webhook-guard
`;
}

function zsh(): string {
  return `#compdef webhook-guard
# webhook-guard completion for zsh: source <(webhook-guard completion zsh)
autoload -U +X bashcompinit && bashcompinit
${bash().split('\n').slice(1).join('\n')}`;
}

function fish(): string {
  const out = ['# webhook-guard completion for fish: webhook-guard completion fish | source'];
  // Only check and unblock read files; elsewhere fish's default of offering files would bury the commands.
  out.push("complete -c webhook-guard -n 'not __fish_seen_subcommand_from check unblock' -f");
  out.push("complete -c webhook-guard -n '__fish_use_subcommand' -a 'check unblock completion'");
  const scopes: Array<[keyof typeof FLAGS, string]> = [
    ['harden', 'not __fish_seen_subcommand_from check unblock completion'],
    ['check', '__fish_seen_subcommand_from check'],
    ['unblock', '__fish_seen_subcommand_from unblock'],
  ];
  for (const [command, condition] of scopes)
    for (const flag of [...FLAGS[command].string, ...FLAGS[command].boolean]) {
      const values = VALUES[flag]
        ? ` -x -a '${VALUES[flag].join(' ')}'`
        : (FLAGS[command].string as readonly string[]).includes(flag)
          ? ' -r'
          : '';
      out.push(`complete -c webhook-guard -n '${condition}' -l ${flag}${values}`);
    }
  out.push(`complete -c webhook-guard -n '__fish_seen_subcommand_from completion' -a '${SHELLS.join(' ')}'`);
  return out.join('\n') + '\n';
}

/** completionMain prints the completion script for a shell. */
export async function completionMain(argv: string[], io: IO): Promise<number> {
  try {
    const shell = argv[0];
    if (argv.length !== 1 || !(SHELLS as readonly string[]).includes(shell))
      throw new UsageError(`completion: expected one of ${SHELLS.join(', ')}`);
    io.stdout(shell === 'bash' ? bash() : shell === 'zsh' ? zsh() : fish());
    return ExitCode.OK;
  } catch (err) {
    const { text, code } = failureText(err, 'webhook-guard --help', false);
    io.stderr(text);
    return code;
  }
}
