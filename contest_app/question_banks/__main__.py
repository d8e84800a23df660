"""``python -m contest_app.question_banks check …``: the bank check without building the app.

Same command and output as ``flask --app contest_app banks check`` (the ``banks`` group's
``check`` and ``import``), for CI or an editor hook where starting the whole app is too slow.
"""
from contest_app.question_banks.commands import check_command, import_command

import click


@click.group(help="Kiểm tra và nhập ngân hàng câu hỏi (không cần khởi động ứng dụng).")
def main() -> None:
    pass


main.add_command(check_command)
main.add_command(import_command)

if __name__ == "__main__":
    main(prog_name="python -m contest_app.question_banks")
