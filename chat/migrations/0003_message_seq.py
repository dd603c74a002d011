from django.db import migrations, models

BACKFILL = """
UPDATE chat_message AS m SET seq = numbered.seq
FROM (SELECT id, row_number() OVER (PARTITION BY room_id ORDER BY id) AS seq FROM chat_message) AS numbered
WHERE m.id = numbered.id;
UPDATE chat_room AS r SET last_seq = COALESCE((SELECT max(seq) FROM chat_message WHERE room_id = r.id), 0);
"""


class Migration(migrations.Migration):
    dependencies = [("chat", "0002_messages")]

    operations = [
        migrations.AddField(model_name="room", name="last_seq", field=models.BigIntegerField(default=0)),
        migrations.AddField(model_name="message", name="seq", field=models.BigIntegerField(null=True)),
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop),
    ]
